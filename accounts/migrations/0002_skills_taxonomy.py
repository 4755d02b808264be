"""The starting skills taxonomy. Staff extend it in the admin; this migration only adds what is missing."""

from django.db import migrations

SKILLS = [
    ("Web development", "ویب ڈویلپمنٹ"),
    ("Mobile apps", "موبائل ایپس"),
    ("Software development", "سافٹ ویئر ڈویلپمنٹ"),
    ("Graphic design", "گرافک ڈیزائن"),
    ("UI/UX design", "یو آئی / یو ایکس ڈیزائن"),
    ("Content writing", "مواد نویسی"),
    ("Translation", "ترجمہ"),
    ("Digital marketing", "ڈیجیٹل مارکیٹنگ"),
    ("SEO", "ایس ای او"),
    ("Video and animation", "ویڈیو اور اینیمیشن"),
    ("Data entry", "ڈیٹا انٹری"),
    ("Customer service", "کسٹمر سروس"),
    ("Virtual assistance", "ورچوئل اسسٹنٹ"),
    ("Accounting", "اکاؤنٹنگ"),
    ("Data science", "ڈیٹا سائنس"),
    ("DevOps and cloud", "ڈیو آپس اور کلاؤڈ"),
    ("WordPress", "ورڈپریس"),
    ("E-commerce (Shopify, Amazon)", "ای کامرس (شاپیفائی، ایمیزون)"),
    ("Social media management", "سوشل میڈیا مینجمنٹ"),
    ("Copywriting", "کاپی رائٹنگ"),
    ("Illustration", "السٹریشن"),
    ("Voice over", "صداکاری"),
    ("Quality assurance and testing", "کوالٹی اشورنس اور ٹیسٹنگ"),
    ("Cybersecurity", "سائبر سیکیورٹی"),
    ("Machine learning and AI", "مشین لرننگ اور مصنوعی ذہانت"),
    ("Game development", "گیم ڈویلپمنٹ"),
    ("Bookkeeping", "بک کیپنگ"),
    ("Academic tutoring", "تدریس"),
]


def slugify(name):
    from django.utils.text import slugify as django_slugify

    return django_slugify(name.replace("/", " "))


def add_skills(apps, schema_editor):
    Skill = apps.get_model("accounts", "Skill")
    for name, name_ur in SKILLS:
        Skill.objects.get_or_create(slug=slugify(name), defaults={"name": name, "name_ur": name_ur})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(add_skills, migrations.RunPython.noop)]
