-- The ledger's tree in tiles (see src/ledger/tiles.h): one row per 256 nodes of a tree level
-- with the nodes above them, instead of one row per perfect subtree. Full tiles never change;
-- the one partial tile of each tile level is rewritten as it grows. Logs that still have rows
-- in ledger_nodes are converted by the log when it starts.
CREATE TABLE ledger_tiles (
  level BIGINT NOT NULL,
  idx BIGINT NOT NULL,
  width BIGINT NOT NULL,
  hashes TEXT NOT NULL,
  PRIMARY KEY (level, idx)
);
