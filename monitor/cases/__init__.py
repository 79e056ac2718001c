"""Cases: threads of posts the team works, orders they link, resolutions they issue."""
