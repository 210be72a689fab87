WHO = "the shared layer"
