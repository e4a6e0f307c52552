# The roles this policy may pass are set at plan time (`-var passable=...`): the .tf alone cannot
# tell, the plan can. Scanned together, the plan's verdict replaces the .tf's coverage note.
variable "passable" {
  type = string
}

resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "${var.passable}"
      },
      {
        Effect   = "Allow"
        Action   = ["iam:PassRole"]
        Resource = [var.passable]
      },
    ]
  })
}
