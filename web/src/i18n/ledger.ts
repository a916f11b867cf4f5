// Strings of this area, under its name: t('ledger.key').
const zh = {}
const en: typeof zh = {}
export default { zh, en }
