"""Builds tests/documents/bengbu-2024-communique-table.docx from the public page's text."""

import docx

document = docx.Document()
document.add_paragraph("2024年安徽省蚌埠市國民經濟和社會發展統計公報")
document.add_paragraph("蚌埠市統計局")
document.add_paragraph("2025年3月31日")
document.add_paragraph("一、綜合")
document.add_paragraph(
    "初步核算,全年地區生產總值(GDP)[2]2313億元,比上年增長5.2%。其中,第一產業增加值287億元,"
    "增長2.2%;第二產業增加值714.1億元,增長6.2%;第三產業[3]增加值1311.9億元,增長5.2%。"
    "三次產業結構由上年的13.2:32.3:54.5調整為12.4:30.9:56.7。人均地區生產總值70908元,比上年增長5.9%。"
)
document.add_paragraph("2024年全市地區生產總值及其增長速度")
rows = [
    ("指標", "絕對數(億元)", "比上年增長%"),
    ("地區生產總值", "2313.0", "5.2"),
    ("其中:第一產業", "287.0", "2.2"),
    ("第二產業", "714.1", "6.2"),
    ("第三產業", "1311.9", "5.2"),
    ("其中:農林牧漁業", "299.2", "2.4"),
    ("工業", "526.3", "6.8"),
]
table = document.add_table(rows=len(rows), cols=3)
for row, cells in zip(table.rows, rows, strict=True):
    for cell, text in zip(row.cells, cells, strict=True):
        cell.text = text
document.save("tests/documents/bengbu-2024-communique-table.docx")
