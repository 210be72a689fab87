WHO = "a local copy of the Powertools layer"
