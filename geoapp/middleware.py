"""Chinese by default: the language comes from the switcher's cookie, not the browser."""

from django.conf import settings
from django.utils import translation


class DefaultLanguageMiddleware:
    """Activate the language chosen with the switcher (cookie), else ``LANGUAGE_CODE``.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which makes the
    UI English on most office PCs and headless browsers; the platform is Chinese first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in self.languages:
            lang = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = lang
        # for this request only: the thread's language is put back afterwards, so that
        # whatever the thread does next (another request's middleware, a background
        # task, a test) does not inherit it
        with translation.override(lang):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response
