# Values from terraform.tfvars.json are used like those of terraform.tfvars.
variable "pass_resources" {
  type = list(string)
}

resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = var.pass_resources }]
  })
}
