"""The model story's subject widget: the chooser of the models the public may see named
(``evaluations.admin.choosers.public_model_chooser_viewset``), not the area-bound subject chooser that every
other subject field uses: communications staff have no area. Declared here, by the viewset's URL name, so
that the page models need not import the admin's viewsets."""

from django.utils.translation import gettext_lazy

from wagtail.admin.widgets import BaseChooser

from evaluations.models import Subject


class PublicModelChooser(BaseChooser):
    model = Subject
    choose_one_text = gettext_lazy("Choose a recognised model")
    choose_another_text = gettext_lazy("Choose another model")
    chooser_modal_url_name = "public_model_chooser:choose"
    icon = "group"
