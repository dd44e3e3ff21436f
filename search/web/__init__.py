"""The visitors' side of the directory search: page views, embed, fragments, suggestions."""
