"""Files for staff: the organisations as CSV or XLSX, the printable booklet as PDF."""
