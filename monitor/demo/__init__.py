"""The demo installation: seeding a database with the generated demo world, and the guard that
keeps demo data and demo accounts out of any database the demo did not create."""
