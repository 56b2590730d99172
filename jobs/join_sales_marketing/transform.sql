-- The days both datasets have, in date order.
SELECT
  s.Date,
  s.Opportunities,
  s.Forecasted_Monthly_Revenue,
  m.New_Visitors_SEO,
  m.New_Visitors_CPC,
  m.New_Visitors_Social_Media,
  m.Return_Visitors,
  m.Twitter_Mentions,
  m.Mailing_List_Adds,
  m.Website_Pageviews,
  m.Mobile_Uniques,
  m.Paid_Conversion
FROM sales s
JOIN marketing m ON s.Date = m.Date
ORDER BY s.Date
