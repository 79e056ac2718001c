"""Small widgets: each is a `show(...)` function that draws itself and returns its value."""
