-- The metrics as they are, one row per day, the date typed.
SELECT
  CAST(Date AS DATE) AS Date,
  New_Visitors_SEO,
  New_Visitors_CPC,
  New_Visitors_Social_Media,
  Return_Visitors,
  Twitter_Mentions,
  Mailing_List_Adds,
  Website_Pageviews,
  Mobile_Uniques,
  Paid_Conversion
FROM marketing
