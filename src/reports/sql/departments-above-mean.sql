-- Departments whose hires in one year exceed the mean over the departments that hired that year.
-- Parameters: year start, next year start (UTC, 'YYYY-MM-DD HH:MM:SS').
-- The comparison hired > total / departments is made as hired * departments > total: integers only,
-- so no engine rounds the mean (MySQL's AVG keeps 4 decimals).
WITH counts AS (
  SELECT department_id, COUNT(*) AS hired
  FROM hired_employees
  WHERE datetime >= ? AND datetime < ?
  GROUP BY department_id
),
totals AS (
  SELECT COUNT(*) AS departments, SUM(hired) AS hired
  FROM counts
)
SELECT d.id AS id,
       d.department AS department,
       c.hired AS hired
FROM counts c
CROSS JOIN totals t
JOIN departments d ON d.id = c.department_id
WHERE c.hired * t.departments > t.hired
ORDER BY c.hired DESC, LOWER(d.department), d.department
