# aws_example_pipeline is not in the built-in catalog: its role is only checked with the
# [[passer]] of passrole.toml, which says the role must trust example.amazonaws.com.
resource "aws_iam_role" "pipeline" {
  name = "pipeline"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_example_pipeline" "build" {
  name = "build"
  execution {
    role_arn = aws_iam_role.pipeline.arn
  }
}
