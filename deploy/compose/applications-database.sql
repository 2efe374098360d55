-- compose.yaml: PostgreSQL creates the conversations' database (DB_DATABASE) itself; this adds the
-- second one, for filed applications (APPLICATIONS_DB_URL). Run once, on an empty data volume.
CREATE DATABASE applications;
