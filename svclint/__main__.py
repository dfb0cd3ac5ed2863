from svclint.entry import main

main()
