# Scanned alone, var.pass_resource is unknown; its value is in the module's caller.
resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = var.pass_resource }]
  })
}
