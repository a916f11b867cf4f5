// Strings of this area, under its name: t('console.key').
const zh = {}
const en: typeof zh = {}
export default { zh, en }
