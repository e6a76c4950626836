-- The years (UTC) in which anyone was hired, for the dashboard's year picker.
-- No parameters. The service puts the engine's SQL for the UTC year of an instant (Dialect.yearOf) in
-- the place of the marker below. One scan of idx_hired_employees_datetime, which covers the column; the service
-- caches the answer until a write.
SELECT DISTINCT YEAR_OF(datetime) AS year
FROM hired_employees
