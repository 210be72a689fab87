NAME = "shared from a built layer"
