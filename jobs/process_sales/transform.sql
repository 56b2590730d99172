-- One row per day: the opportunities identified that day and their forecasted monthly revenue.
SELECT
  CAST(Date AS DATE) AS Date,
  COUNT(*) AS Opportunities,
  SUM(CAST(Forecasted_Monthly_Revenue AS DECIMAL(14, 2))) AS Forecasted_Monthly_Revenue
FROM sales
GROUP BY CAST(Date AS DATE)
