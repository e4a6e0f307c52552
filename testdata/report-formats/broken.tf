resource "aws_iam_role" "unfinished" {
  name = "unfinished"
  assume_role_policy = jsonencode({
    Statement = [
  }
