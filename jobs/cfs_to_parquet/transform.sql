-- Every shipment, as it is; quarter becomes the partition folders (quarter=1/ ... quarter=4/).
SELECT *
FROM cfs
