"""The landing page served at / until the registrar and citizen pages exist."""

HOME_PAGE = """<!doctype html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ثبت — سامانه ثبت احوال</title>
<style>
body { font-family: Vazirmatn, Tahoma, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem;
       line-height: 1.9; color: #1a1a1a; }
a { color: #0b5394; }
code { direction: ltr; unicode-bidi: embed; }
</style>
</head>
<body>
<h1>ثبت</h1>
<p>سامانه ثبت احوال: ثبت ولادت، وفات، ازدواج و طلاق و صدور کد ملی.</p>
<ul>
<li><a href="/verify">بررسی اصالت شناسنامه و گواهی‌ها</a></li>
<li><a href="/docs">مستندات و آزمایش رابط برنامه‌نویسی (API)</a></li>
<li><a href="/api/geo/provinces">فهرست استان‌ها</a></li>
<li><a href="/health">وضعیت سامانه</a></li>
</ul>
</body>
</html>
"""
