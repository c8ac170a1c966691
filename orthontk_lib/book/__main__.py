"""``python -m orthontk_lib.book``: build the book (see :mod:`orthontk_lib.book.build`)."""

from orthontk_lib.book.build import main

main()
