"""The demo regency (fictional members, sites and stock on Kabupaten Bekasi)."""
