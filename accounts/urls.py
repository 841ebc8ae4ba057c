from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.sign_in, name="sign_in"),
    path("accounts/login/verify/", views.sign_in_verify, name="sign_in_verify"),
    path("accounts/login/enrol/", views.sign_in_enrol, name="sign_in_enrol"),
    path("accounts/logout/", views.sign_out, name="sign_out"),
    path("accounts/unlock/", views.unlock, name="unlock"),
    path("accounts/keepalive/", views.keepalive, name="keepalive"),
    path("accounts/passkeys/options/", views.passkey_options, name="passkey_options"),
    path("accounts/passkeys/verify/", views.passkey_verify, name="passkey_verify"),
    path(
        "accounts/passkeys/register/options/",
        views.passkey_register_options,
        name="passkey_register_options",
    ),
    path("accounts/passkeys/register/", views.passkey_register, name="passkey_register"),
    path("accounts/totp/", views.totp_enrol, name="totp_enrol"),
    path("accounts/setup/<str:key>/", views.setup, name="setup"),
    path("accounts/setup/<str:key>/factor/", views.setup_factor, name="setup_factor"),
    path("accounts/security/", views.security, name="security"),
    path("accounts/recovery-codes/", views.recovery_codes, name="recovery_codes"),
]
