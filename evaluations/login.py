"""The admin's login form: Wagtail's, with its password field labelled (Wagtail redefines the field without a
label, so Django named it "Password" in English) and a placeholder that reads as a sentence in Vietnamese
(Wagtail's catalogue wrote "Nhập Tên đăng nhậpcủa bạn"). ``WAGTAILADMIN_USER_LOGIN_FORM``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class LoginForm(WagtailLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = gettext_lazy("Password")
        self.fields["username"].widget.attrs["placeholder"] = gettext_lazy("Enter your user name")
