"""The rooms app's Django side (label ``rooms``): models, forms, setup and room pages, admin, urls, commands."""
