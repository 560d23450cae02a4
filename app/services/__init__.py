"""Services: load rows, call the domain, persist. They flush; the caller (a route or command) commits."""


class ServiceError(Exception):
    """A request a service cannot carry out. `status` is the HTTP status to answer with, and the message
    says what was wrong and what to do; app/errors.py renders it for every feature the same way."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status
