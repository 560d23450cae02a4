// The deep-linking answer goes back to the LMS by a form POST: send it at once (the button stays for
// browsers without JavaScript). A file, not an inline script, so the Content-Security-Policy holds.
document.querySelectorAll("form[data-autosubmit]").forEach((form) => form.submit());
