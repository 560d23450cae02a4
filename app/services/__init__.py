"""Services: load rows, call the domain, persist. They flush; the caller (a route or command) commits."""
