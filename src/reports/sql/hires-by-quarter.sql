-- Hires per department and job in one year, split by quarter.
-- Parameters: Q2 start, Q3 start, Q4 start, year start, next year start (UTC, 'YYYY-MM-DD HH:MM:SS').
-- The range predicate on datetime is served by idx_hired_employees_datetime (datetime, department_id, job_id),
-- which also covers the columns read; names are joined after grouping, on ids only.
SELECT d.department AS department,
       j.job AS job,
       c.q1 AS Q1,
       c.q2 AS Q2,
       c.q3 AS Q3,
       c.q4 AS Q4
FROM (
  SELECT h.department_id,
         h.job_id,
         SUM(CASE WHEN h.quarter = 1 THEN 1 ELSE 0 END) AS q1,
         SUM(CASE WHEN h.quarter = 2 THEN 1 ELSE 0 END) AS q2,
         SUM(CASE WHEN h.quarter = 3 THEN 1 ELSE 0 END) AS q3,
         SUM(CASE WHEN h.quarter = 4 THEN 1 ELSE 0 END) AS q4
  FROM (
    SELECT department_id,
           job_id,
           CASE
             WHEN datetime < ? THEN 1
             WHEN datetime < ? THEN 2
             WHEN datetime < ? THEN 3
             ELSE 4
           END AS quarter
    FROM hired_employees
    WHERE datetime >= ? AND datetime < ?
  ) h
  GROUP BY h.department_id, h.job_id
) c
JOIN departments d ON d.id = c.department_id
JOIN jobs j ON j.id = c.job_id
ORDER BY LOWER(d.department), d.department, LOWER(j.job), j.job
