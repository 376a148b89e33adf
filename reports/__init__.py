"""Rendering of official documents: frozen snapshot -> HTML -> PDF (WeasyPrint).

Receives plain data only; never imports ``initiatives``. The bundled DejaVu fonts cover
Kyrgyz Cyrillic (ң ө ү) so documents never depend on the fonts of the server.
"""
