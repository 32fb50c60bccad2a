"""Printed schedules: a service body's or a region's meetings as a PDF to print (docs/print.md)."""
