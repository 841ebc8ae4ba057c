from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.sign_in, name="sign_in"),
    path("accounts/logout/", views.sign_out, name="sign_out"),
    path("accounts/unlock/", views.unlock, name="unlock"),
    path("accounts/keepalive/", views.keepalive, name="keepalive"),
]
