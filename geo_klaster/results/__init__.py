"""Results: the catalogue of result tables, files, exports, workbook, charts, styles."""
