-- SMART launch contexts (security/LaunchContexts), in the database so that a launch an EHR starts on one replica is
-- redeemed on any. A launch id is a bearer secret: only its SHA-256 is kept. Times are epoch milliseconds.
-- STARTED_BY (the EHR client, or the picker's user) bounds how many one of them may keep waiting.
CREATE TABLE EPACCS_LAUNCH_CONTEXT (ID_SHA256 VARCHAR(64) PRIMARY KEY, PATIENT VARCHAR(64),
  BOUND_USER VARCHAR(255), EXPIRES BIGINT NOT NULL, REDEEMED_BY VARCHAR(255), REDEEMED_FOR VARCHAR(255),
  STARTED_BY VARCHAR(255) NOT NULL);
CREATE INDEX EPACCS_LAUNCH_CONTEXT_EXPIRES ON EPACCS_LAUNCH_CONTEXT (EXPIRES);
CREATE INDEX EPACCS_LAUNCH_CONTEXT_STARTED_BY ON EPACCS_LAUNCH_CONTEXT (STARTED_BY);
