-- Departments whose hires in one year exceed the mean over the departments that hired that year.
-- Parameters: the [start, end) UTC bounds of the year ('YYYY-MM-DD HH:MM:SS').
-- One range scan of idx_hired_employees_datetime; the window sums carry the year's total and the number
-- of departments that hired to every row (MariaDB would scan twice for a CTE referenced twice).
-- hired > total / departments is tested as hired * departments > total: integers only, so no engine
-- rounds the mean (MySQL's AVG keeps 4 decimals).
-- No ORDER BY: the service orders the rows itself (src/common/name-order.ts), the same on every engine.
SELECT d.id AS id,
       d.department AS department,
       c.hired AS hired
FROM (
  SELECT department_id,
         hired,
         SUM(hired) OVER () AS total,
         COUNT(*) OVER () AS departments
  FROM (
    SELECT department_id, COUNT(*) AS hired
    FROM hired_employees
    WHERE datetime >= ? AND datetime < ?
    GROUP BY department_id
  ) g
) c
JOIN departments d ON d.id = c.department_id
WHERE c.hired * c.departments > c.total
