"""The web editor: Decap CMS, configured from the content model, on ccsite's own server.

- decap.py: the Decap `config.yml`, made from ccsite.schema (never written by hand);
- proxy.py: Decap's proxy-backend protocol over the content folder, for `ccsite serve`
  (every save checked by ccsite's own validator first, see saving.py);
- merge.py: a save changes only what the editor changed, byte for byte;
- admin.py: the /admin/ pages and their guards (loopback host, same origin, a token);
- static/: the pinned Decap bundle with its licences (scripts/update-decap.py updates it)
  and ccsite's own small admin script.
"""
