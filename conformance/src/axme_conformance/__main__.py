from axme_conformance.cli import main

raise SystemExit(main())
