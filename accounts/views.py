from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit
from rest_framework.authtoken.models import Token

from accounts.forms import SignupForm
from diadi.middleware import never_compressed
from facilitation.adapters import SERVICES

_post_limit = ratelimit(key="ip", rate="10/m", method="POST", block=True)


def _reset_address(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


@_post_limit
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("hub")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to Diadi, {user.display_name}.")
        after = request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(after if safe else "hub")
    return render(request, "accounts/signup.html", {"form": form})


@method_decorator(_post_limit, name="post")
class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


# Each request can send an email: few per address (nobody's inbox gets flooded), and a few
# more per client (nobody sends them to a list of addresses).
@method_decorator(ratelimit(key=_reset_address, rate="3/h", method="POST", block=True), name="post")
@method_decorator(ratelimit(key="ip", rate="10/h", method="POST", block=True), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    pass


@never_compressed
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    token = Token.objects.filter(user=request.user).first()
    return render(
        request,
        "accounts/profile.html",
        {"token": token, "integrations": SERVICES},
    )


@require_POST
@login_required
def regenerate_token(request: HttpRequest) -> HttpResponse:
    Token.objects.filter(user=request.user).delete()
    Token.objects.create(user=request.user)
    messages.success(request, "A new API token was created. The old one no longer works.")
    return redirect("profile")
