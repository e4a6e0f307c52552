# A module that does not parse: an input error, while the rest is still scanned.
resource "aws_iam_role" "half" {
  name = "half"
  assume_role_policy = jsonencode({
    Statement = [
  }
