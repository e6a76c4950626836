-- Hires per department and job in one year, split by quarter.
-- Parameters: the [start, end) UTC bounds of Q1, Q2, Q3 and Q4 in turn ('YYYY-MM-DD HH:MM:SS').
-- Each quarter is one range scan of idx_hired_employees_datetime (datetime, department_id, job_id), which
-- covers every column read, grouped on ids; the small grouped result is then pivoted and the names joined.
-- This measured faster than one scan of the year with a CASE per row (docs/performance.md).
-- No ORDER BY: the service orders names itself (src/common/name-order.ts), the same on every engine.
SELECT c.department_id AS department_id,
       d.department AS department,
       c.job_id AS job_id,
       j.job AS job,
       c.q1 AS q1,
       c.q2 AS q2,
       c.q3 AS q3,
       c.q4 AS q4
FROM (
  SELECT q.department_id,
         q.job_id,
         SUM(CASE WHEN q.quarter = 1 THEN q.hired ELSE 0 END) AS q1,
         SUM(CASE WHEN q.quarter = 2 THEN q.hired ELSE 0 END) AS q2,
         SUM(CASE WHEN q.quarter = 3 THEN q.hired ELSE 0 END) AS q3,
         SUM(CASE WHEN q.quarter = 4 THEN q.hired ELSE 0 END) AS q4
  FROM (
    SELECT department_id, job_id, 1 AS quarter, COUNT(*) AS hired
    FROM hired_employees
    WHERE datetime >= ? AND datetime < ?
    GROUP BY department_id, job_id
    UNION ALL
    SELECT department_id, job_id, 2 AS quarter, COUNT(*) AS hired
    FROM hired_employees
    WHERE datetime >= ? AND datetime < ?
    GROUP BY department_id, job_id
    UNION ALL
    SELECT department_id, job_id, 3 AS quarter, COUNT(*) AS hired
    FROM hired_employees
    WHERE datetime >= ? AND datetime < ?
    GROUP BY department_id, job_id
    UNION ALL
    SELECT department_id, job_id, 4 AS quarter, COUNT(*) AS hired
    FROM hired_employees
    WHERE datetime >= ? AND datetime < ?
    GROUP BY department_id, job_id
  ) q
  GROUP BY q.department_id, q.job_id
) c
JOIN departments d ON d.id = c.department_id
JOIN jobs j ON j.id = c.job_id
