-- Schema of the pg-source database: Luxembourg's public EV charging network (Chargy).
--
-- Three dimensions are versioned as slowly changing dimensions of type 2 (SCD2):
--   * a row is valid for status_date in [version_start_date, version_end_date);
--   * the current version is open-ended: version_end_date = '9999-12-31 00:00:00+00'.
--     A sentinel instead of NULL keeps the interval join a plain range test and the column NOT NULL.
-- The natural keys are (latitude, longitude) for station, id for charging_device and connector.
-- The facts carry natural keys only, so there are no foreign keys: a fact joins to the dimension
-- version whose interval contains its status_date.
--
-- Plain SQL, PostgreSQL 15 or later. CloudNativePG runs it once, at bootstrap
-- (bootstrap.initdb.postInitApplicationSQLRefs), in the application database.

CREATE TABLE station (
    station_key          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                 text          NOT NULL,
    visibility           text          NOT NULL CHECK (visibility IN ('PUBLIC', 'RESTRICTED')),
    address              text          NOT NULL,
    postal_code          text          NOT NULL,
    city                 text          NOT NULL,
    number_of_connectors integer       NOT NULL CHECK (number_of_connectors > 0),
    latitude             numeric(9, 6) NOT NULL,
    longitude            numeric(9, 6) NOT NULL,
    version_start_date   timestamptz   NOT NULL,
    version_end_date     timestamptz   NOT NULL DEFAULT '9999-12-31 00:00:00+00',
    CHECK (version_start_date < version_end_date),
    UNIQUE (latitude, longitude, version_start_date)
);

CREATE TABLE charging_device (
    charging_device_key  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                   integer       NOT NULL,
    name                 text          NOT NULL,
    manufacturer         text          NOT NULL,
    model                text          NOT NULL,
    latitude             numeric(9, 6) NOT NULL,
    longitude            numeric(9, 6) NOT NULL,
    version_start_date   timestamptz   NOT NULL,
    version_end_date     timestamptz   NOT NULL DEFAULT '9999-12-31 00:00:00+00',
    CHECK (version_start_date < version_end_date),
    UNIQUE (id, version_start_date)
);

CREATE TABLE connector (
    connector_key        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                   integer       NOT NULL,
    name                 text          NOT NULL,
    maxchspeed           numeric(5, 1) NOT NULL CHECK (maxchspeed > 0),  -- kW
    connector            text          NOT NULL CHECK (connector IN ('Type 2', 'CCS', 'CHAdeMO')),
    charging_device_id   integer       NOT NULL,
    version_start_date   timestamptz   NOT NULL,
    version_end_date     timestamptz   NOT NULL DEFAULT '9999-12-31 00:00:00+00',
    CHECK (version_start_date < version_end_date),
    UNIQUE (id, version_start_date)
);

CREATE TABLE station_status (
    station_status_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    latitude             numeric(9, 6) NOT NULL,
    longitude            numeric(9, 6) NOT NULL,
    status_date          timestamptz   NOT NULL,
    status               text          NOT NULL CHECK (status IN ('AVAILABLE', 'CHARGING', 'OUT_OF_SERVICE', 'UNKNOWN'))
);

CREATE TABLE connector_status (
    connector_status_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connector_id         integer       NOT NULL,
    status_date          timestamptz   NOT NULL,
    status               text          NOT NULL CHECK (status IN ('AVAILABLE', 'CHARGING', 'OUT_OF_SERVICE', 'UNKNOWN'))
);

CREATE INDEX station_status_coordinates_idx ON station_status (latitude, longitude, status_date);
CREATE INDEX connector_status_connector_idx ON connector_status (connector_id, status_date);
