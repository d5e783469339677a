-- The counters of core/throttle (ThrottleStore): one row per throttle key
-- with its GCRA theoretical arrival time in Unix nanoseconds. A row whose
-- tat is in the past holds no state (CleanupExpired deletes it, by the
-- tat index). Keys that are long or not printable ASCII are stored as
-- their SHA-256.
CREATE TABLE "reinhardt_throttle" ("key" varchar(255) NOT NULL PRIMARY KEY, "tat" bigint NOT NULL, INDEX "reinhardt_throttle_tat" ("tat")) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
