from django.db import migrations


def create_homepage(apps, schema_editor):
    """Replace Wagtail's placeholder welcome page with the site's home page."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("home.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    Page.objects.filter(depth=2, slug="home").delete()
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="home")
    locale = Locale.objects.first()
    homepage = HomePage.objects.create(
        title="Hội Khuyến học",
        draft_title="Hội Khuyến học",
        slug="home",
        content_type=content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        intro="<p>Xây dựng xã hội học tập: gia đình, dòng họ, cộng đồng, đơn vị học tập.</p>",
    )
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", root_page=homepage, is_default_site=True, site_name="Hội Khuyến học")


def remove_homepage(apps, schema_editor):
    apps.get_model("home.HomePage").objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [("home", "0001_initial"), ("wagtailcore", "0098_apitoken")]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
