"""Reading the warehouse: table status, SQL and the common questions."""
