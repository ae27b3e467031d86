from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


@login_required
def round_list(request):
    return render(request, "surveys/round_list.html", {"rounds": selectors.round_list()})
