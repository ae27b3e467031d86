from django.urls import path

app_name = "indexes"
urlpatterns: list = []
