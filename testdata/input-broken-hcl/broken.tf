resource "aws_iam_role" "half" {
  name = "half"
  assume_role_policy = jsonencode({
    Statement = [
  }
